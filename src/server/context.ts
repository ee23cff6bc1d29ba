// What every route handler works with.
import type { ChatTemplate } from '../chat/chatTemplate.js';
import type { EngineHandle } from '../engine/api.js';
import type { Tokenizer } from '../tokenizer/index.js';
import type { Admission } from './admission.js';
import type { ServerMetrics } from './metrics.js';

export interface ServerContext {
  engine: EngineHandle;
  tokenizer: Tokenizer;
  chatTemplate: ChatTemplate | undefined;
  /** the id clients pass as "model" */
  modelName: string;
  contextLength: number;
  metrics: ServerMetrics;
  admission: Admission;
}
