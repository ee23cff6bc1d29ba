// The tensor names each file layout uses for the same roles.

export interface LayerTensorNames {
  attnNorm: string; wq: string; wk: string; wv: string; wo: string;
  bq: string; bk: string; bv: string; bo: string;
  ffnNorm: string; wGate: string; wUp: string; wDown: string;
}

export interface TensorNames {
  tokenEmbedding: string;
  outputNorm: string;
  output: string;
  layer(i: number): LayerTensorNames;
}

export const GGUF_NAMES: TensorNames = {
  tokenEmbedding: 'token_embd.weight',
  outputNorm: 'output_norm.weight',
  output: 'output.weight',
  layer: (i) => {
    const p = `blk.${i}.`;
    return {
      attnNorm: `${p}attn_norm.weight`,
      wq: `${p}attn_q.weight`, wk: `${p}attn_k.weight`, wv: `${p}attn_v.weight`, wo: `${p}attn_output.weight`,
      bq: `${p}attn_q.bias`, bk: `${p}attn_k.bias`, bv: `${p}attn_v.bias`, bo: `${p}attn_output.bias`,
      ffnNorm: `${p}ffn_norm.weight`,
      wGate: `${p}ffn_gate.weight`, wUp: `${p}ffn_up.weight`, wDown: `${p}ffn_down.weight`,
    };
  },
};

export const HF_NAMES: TensorNames = {
  tokenEmbedding: 'model.embed_tokens.weight',
  outputNorm: 'model.norm.weight',
  output: 'lm_head.weight',
  layer: (i) => {
    const p = `model.layers.${i}.`;
    return {
      attnNorm: `${p}input_layernorm.weight`,
      wq: `${p}self_attn.q_proj.weight`, wk: `${p}self_attn.k_proj.weight`,
      wv: `${p}self_attn.v_proj.weight`, wo: `${p}self_attn.o_proj.weight`,
      bq: `${p}self_attn.q_proj.bias`, bk: `${p}self_attn.k_proj.bias`,
      bv: `${p}self_attn.v_proj.bias`, bo: `${p}self_attn.o_proj.bias`,
      ffnNorm: `${p}post_attention_layernorm.weight`,
      wGate: `${p}mlp.gate_proj.weight`, wUp: `${p}mlp.up_proj.weight`, wDown: `${p}mlp.down_proj.weight`,
    };
  },
};
