/**
 * Pre-tokenizer regexes by llama.cpp's `tokenizer.ggml.pre` name (the same strings as
 * llama.cpp's llm_tokenizer_bpe and the models' tokenizer.json), and the splitting they drive.
 *
 * Semantics follow llama.cpp's unicode_regex_split: the regexes of a list run one after the
 * other; each splits every piece made so far into its matches AND the unmatched gaps between
 * them (gaps are kept as pieces), and a regex sees one piece at a time (so `$` and lookaheads
 * stop at the piece's end). Regexes are compiled for JS by toJsRegex().
 */

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
const LLAMA3 = `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const QWEN2 = `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const CJK = '[\\u{4E00}-\\u{9FA5}\\u{800}-\\u{4E00}\\u{AC00}-\\u{D7FF}]+';
const BLOOM = ' ?[^(\\s|.,!?\\u{2026}\\u{3002}\\u{FF0C}\\u{3001}\\u{964}\\u{6D4}\\u{60C})]+';
const TEKKEN =
  '[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';
const GPT4O =
  `[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+${CONTRACTIONS}?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*${CONTRACTIONS}?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;

/** The regex lists, keyed by llama.cpp's pre-tokenizer type. */
export const PRE_TOKENIZER_REGEXES: Readonly<Record<string, readonly string[]>> = {
  default: ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2, '\\p{N}+', '[0-9][0-9][0-9]'],
  gpt2: [GPT2],
  llama3: [LLAMA3],
  qwen2: [QWEN2],
  qwen35: [
    `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
  ],
  'deepseek-llm': [
    '[\r\n]',
    '\\s?[A-Za-z\\u{B5}\\u{C0}-\\u{D6}\\u{D8}-\\u{F6}\\u{F8}-\\u{1BA}\\u{1BC}-\\u{1BF}\\u{1C4}-\\u{293}\\u{295}-\\u{2AF}\\u{370}-\\u{373}\\u{376}\\u{377}\\u{37B}-\\u{37D}\\u{37F}\\u{386}\\u{388}-\\u{38A}\\u{38C}\\u{38E}-\\u{3A1}\\u{3A3}-\\u{3F5}\\u{3F7}-\\u{481}\\u{48A}-\\u{52F}\\u{531}-\\u{556}\\u{10A0}-\\u{10C5}\\u{13A0}-\\u{13F5}\\u{13F8}-\\u{13FD}\\u{1C90}-\\u{1CBA}\\u{1CBD}-\\u{1CBF}\\u{1D00}-\\u{1D2B}\\u{1D6B}-\\u{1D77}\\u{1D79}-\\u{1D9A}\\u{1E00}-\\u{1F15}\\u{1F18}-\\u{1F1D}\\u{1F20}-\\u{1F45}\\u{1F48}-\\u{1F4D}\\u{1F50}-\\u{1F57}\\u{1F59}\\u{1F5B}\\u{1F5D}\\u{1F5F}-\\u{1F7D}\\u{1F80}-\\u{1FB4}\\u{1FB6}-\\u{1FBC}\\u{1FBE}\\u{1FC2}-\\u{1FC4}\\u{1FC6}-\\u{1FCC}\\u{1FD0}-\\u{1FD3}\\u{1FD6}-\\u{1FDB}\\u{1FE0}-\\u{1FEC}\\u{1FF2}-\\u{1FF4}\\u{1FF6}-\\u{1FFC}\\u{2102}\\u{2107}\\u{210A}-\\u{2113}\\u{2115}\\u{2119}-\\u{211D}\\u{2124}\\u{2126}\\u{2128}\\u{212A}-\\u{212D}\\u{212F}-\\u{2134}\\u{2139}\\u{213C}-\\u{213F}\\u{2145}-\\u{2149}\\u{214E}\\u{2183}\\u{2184}\\u{2C00}-\\u{2C7B}\\u{2C7E}-\\u{2CE4}\\u{2CEB}-\\u{2CEE}\\u{2CF2}\\u{2CF3}\\u{A640}-\\u{A66D}\\u{A680}-\\u{A69B}\\u{A722}-\\u{A76F}\\u{A771}-\\u{A787}\\u{A78B}-\\u{A78E}\\u{AB70}-\\u{ABBF}\\u{FB00}-\\u{FB06}\\u{FB13}-\\u{FB17}\\u{FF21}-\\u{FF3A}\\u{FF41}-\\u{FF5A}\\u{10400}-\\u{1044F}\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}\\u{10CC0}-\\u{10CF2}\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}]+',
    '\\s?[!-/:-~\\u{FF01}-\\u{FF0F}\\u{FF1A}-\\u{FF5E}\\u{2018}-\\u{201F}\\u{3000}-\\u{3002}]+',
    '\\s+$',
    CJK,
    '\\p{N}+',
  ],
  'deepseek-coder': ['[\r\n]', '\\s?\\p{L}+', '\\s?\\p{P}+', CJK, '\\p{N}'],
  'deepseek-v3': [
    '\\p{N}{1,3}',
    '[\\u{4E00}-\\u{9FA5}\\u{3040}-\\u{309F}\\u{30A0}-\\u{30FF}]+',
    '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+',
  ],
  falcon: ['[\\p{P}\\$\\+<=>\\^~\\|`]+', GPT2, '[0-9][0-9][0-9]'],
  starcoder: ['\\p{N}', GPT2],
  bloom: [BLOOM],
  viking: [BLOOM, '\\p{N}'],
  tekken: [TEKKEN],
  'gpt-4o': [GPT4O],
  'seed-coder': [`${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`],
  bailingmoe: [
    "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+",
  ],
  superbpe: ['\\p{N}+', '(?=(\\d{3})+(?!\\d))'],
};

/** How a `tokenizer.ggml.pre` name configures byte-level BPE (llama.cpp's vocab loader). */
export interface PreTokenizerConfig {
  regexes: readonly string[];
  /** a pre-token that is itself a token is emitted whole (HF `ignore_merges`) */
  ignoreMerges: boolean;
  /** llama.cpp's add_bos default for this pre type, before tokenizer.ggml.add_bos_token */
  addBos: boolean;
  /** the pre type has no BOS (chatglm) */
  noBos: boolean;
}

const PRE_NAME_GROUPS: ReadonlyArray<[string, readonly string[], Partial<PreTokenizerConfig>?]> = [
  ['llama3', ['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2', 'jina-v5-nano'], { ignoreMerges: true, addBos: true }],
  ['llama3', ['dbrx', 'smaug-bpe', 'chatglm-bpe', 'glm4']],
  ['default', ['default', '']],
  ['deepseek-llm', ['deepseek-llm']],
  ['deepseek-coder', ['deepseek-coder']],
  ['deepseek-v3', ['deepseek-v3', 'hunyuan-dense', 'joyai-llm']],
  ['falcon', ['falcon']],
  ['gpt2', ['gpt-2', 'gpt2', 'mpt', 'olmo', 'jais', 'trillion', 'granite-docling', 'phi-2', 'jina-es', 'jina-de', 'gigachat', 'jina-v2-es', 'jina-v2-de', 'a.x-4.0', 'mellum', 'modern-bert', 'exaone4', 'jina-v1-en', 'jina-v2-code', 'roberta-bpe']],
  ['starcoder', ['starcoder', 'refact', 'command-r', 'smollm', 'codeshell', 'exaone', 'minerva-7b', 'mellum2']],
  ['qwen2', ['qwen2', 'deepseek-r1-qwen', 'kormo', 'f2llmv2', 'megrez', 'stablelm2', 'hunyuan', 'solar-open', 'grok-2']],
  ['qwen35', ['qwen35']],
  ['bloom', ['bloom', 'poro-chat', 'gpt3-finnish']],
  ['viking', ['viking']],
  ['tekken', ['tekken'], { ignoreMerges: true, addBos: true }],
  ['gpt-4o', ['gpt-4o', 'llama4', 'kanana2', 'talkie', 'minimax-m2']],
  ['seed-coder', ['seed-coder']],
  ['bailingmoe', ['bailingmoe', 'bailingmoe2', 'llada-moe']],
  ['superbpe', ['superbpe']],
];

/** The configuration for a `tokenizer.ggml.pre` value; throws for a name llama.cpp would not know. */
export function preTokenizerConfig(pre: string): PreTokenizerConfig {
  for (const [key, names, extra] of PRE_NAME_GROUPS) {
    if (!names.includes(pre)) continue;
    return {
      regexes: PRE_TOKENIZER_REGEXES[key]!,
      ignoreMerges: extra?.ignoreMerges ?? false,
      addBos: extra?.addBos ?? false,
      noBos: pre === 'chatglm-bpe' || pre === 'glm4',
    };
  }
  throw new Error(`unknown pre-tokenizer type '${pre}' (tokenizer.ggml.pre)`);
}

/**
 * Compiles a tokenizer regex (PCRE/Oniguruma/std::regex flavour) as a JS regex with the `u` flag.
 * - `\s`/`\S` become the Unicode White_Space property: that is what llama.cpp (its whitespace
 *   table) and Python/Rust regex use, while JS `\s` adds U+FEFF and lacks U+0085.
 * - `(?i:...)` (no JS support in Node 20) becomes a group whose ASCII letters are [xX] classes.
 * - possessive quantifiers (`?+`, `++`, `*+`) become greedy ones, as llama.cpp does.
 * - `\p{Han}`-style script names become `\p{Script=Han}`.
 * `\p{L}`, `\p{N}`, `\p{P}`, `\p{M}`, `\p{S}` are Unicode general categories in JS as in llama.cpp.
 */
export function toJsRegex(source: string, flags = 'gu'): RegExp {
  let out = '';
  let inClass = false;
  const caseless: number[] = []; // group depths at which a (?i: group started
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === 's') out += '\\p{White_Space}';
      else if (n === 'S') out += '\\P{White_Space}';
      else if ((n === 'p' || n === 'P') && source[i + 2] === '{') {
        const end = source.indexOf('}', i + 3);
        const name = source.slice(i + 3, end);
        const isScript = /^[A-Z][a-z]+$/.test(name) && !['L', 'N', 'P', 'M', 'S', 'Z', 'C'].includes(name) && name.length > 2;
        out += `\\${n}{${isScript ? `Script=${name}` : name}}`;
        i = end;
        continue;
      } else out += c + (n ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === '(') {
      depth++;
      if (source.startsWith('(?i:', i)) {
        caseless.push(depth);
        out += '(?:';
        i += 3;
        continue;
      }
      out += c;
      continue;
    }
    if (c === ')') {
      if (caseless[caseless.length - 1] === depth) caseless.pop();
      depth--;
      out += c;
      continue;
    }
    if ((c === '+' || c === '?' || c === '*') && source[i + 1] === '+') {
      // x?+ x++ x*+ : possessive -> greedy
      out += c;
      i++;
      continue;
    }
    if (caseless.length > 0 && /[a-zA-Z]/.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
      continue;
    }
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch (e) {
    throw new Error(`the tokenizer regex ${JSON.stringify(source)} does not compile in JS (${(e as Error).message})`);
  }
}

/**
 * Splits text by a list of compiled (global) regexes with llama.cpp's semantics (see top).
 * Empty matches only mark boundaries.
 */
export function splitByRegexes(text: string, regexes: readonly RegExp[]): string[] {
  let pieces = [text];
  for (const re of regexes) {
    const next: string[] = [];
    for (const piece of pieces) splitOne(piece, re, next);
    pieces = next;
  }
  return pieces;
}

function splitOne(piece: string, re: RegExp, out: string[]): void {
  let last = 0;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(piece);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    if (start > last) {
      out.push(piece.slice(last, start));
      last = start;
    }
    if (end > start) {
      out.push(m[0]);
      last = end;
    } else {
      if (start >= piece.length) break;
      // step over an empty match, by a whole code point
      const code = piece.charCodeAt(start);
      re.lastIndex = start + (code >= 0xd800 && code <= 0xdbff ? 2 : 1);
    }
  }
  if (last < piece.length) out.push(piece.slice(last));
}
