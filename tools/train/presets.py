"""Training presets: the model shape, the length curriculum and the optimiser settings of one recipe.

A phase is (steps, sequence length, rows per batch, share of task rows, task mix of data.py). `--scale`
multiplies every phase's steps (rounded), so one recipe can be sized to the compute at hand; the scale used is
written into the run's config.json, and re-running with that scale and seed replays the same schedule.
"""
from model import Config

# The embedded default model's shape (7.3M parameters), shared by its stages and the smoke check.
DEFAULT_SHAPE = Config(hidden_size=256, intermediate_size=768, num_hidden_layers=8, num_attention_heads=4,
                       num_key_value_heads=2, rope_theta=500000.0)

PRESETS = {
    # The first model (2.4M parameters): about 15 minutes on one CPU core. Too little to learn retrieval.
    'cpu-small': {
        'model': Config(hidden_size=192, intermediate_size=512, num_hidden_layers=4, num_attention_heads=6,
                        num_key_value_heads=2),
        'phases': [(200, 128, 16, 1.0, 'copy'), (150, 128, 16, 0.9, 'tasks'), (150, 512, 4, 0.9, 'tasks'),
                   (40, 2048, 1, 0.9, 'tasks'), (20, 4096, 1, 0.9, 'tasks')],
        'lr': 2.5e-3,
    },
    # The embedded default model (7.3M parameters). About 2,300 steps of 131K tokens: minutes on one datacenter
    # GPU; the same schedule on CPU is days, so on 2 cores use a small --scale (see MODEL.md).
    'default': {
        'model': DEFAULT_SHAPE,
        'phases': [(400, 512, 256, 1.0, 'copy'), (600, 512, 256, 0.8, 'tasks'), (500, 2048, 64, 0.8, 'tasks'),
                   (600, 4096, 32, 0.8, 'tasks'), (200, 8192, 16, 0.8, 'tasks')],
        'lr': 2e-3,
    },
    # Second stage of the default model, started from the first one's weights (train.py --init): retrieval-heavy
    # rows at 2K-8K with a lower learning rate, for the kv lookups that stage one left below 95 %.
    'default-stage2': {
        'model': DEFAULT_SHAPE,
        'phases': [(500, 2048, 64, 0.9, 'retrieval'), (700, 4096, 32, 0.9, 'retrieval'),
                   (150, 8192, 16, 0.9, 'retrieval')],
        'lr': 6e-4,
    },
    # A third stage for a GPU, prepared but never run (the CPU drills below did the job): from stage two's
    # weights, kv-heavy rows at 4K-8K, for kv at 4K (87 % after stage two). About 100 s on one H200.
    'default-stage3': {
        'model': DEFAULT_SHAPE,
        'phases': [(600, 4096, 32, 0.9, 'kv-focus'), (250, 8192, 16, 0.9, 'kv-focus')],
        'lr': 4e-4,
    },
    # Stage three sized for 2 CPU cores (about 45 minutes at 2 threads): the same kv-heavy rows at 4K as
    # default-stage3, two rows a step, a lower peak rate for the small batch. Started from the shipped weights.
    # Tried once (see MODEL.md, Next): too few tokens, kv at 4K fell from 87 % to 82 %; not shipped.
    'default-stage3-cpu': {
        'model': DEFAULT_SHAPE,
        'phases': [(300, 4096, 2, 0.9, 'kv-focus')],
        'lr': 2e-4,
    },
    # Third stage for 2 CPU cores, run on 2026-11-26 (bf16 autocast on the CPU, --cpu-bf16): kv lists of up to 4K
    # tokens, each followed by six answered questions, half of them about the first 30 % of the list; loss on
    # answer tokens only; a low peak rate. Started from stage two's exported weights (models/default/hf then).
    'default-stage3-drill': {
        'model': DEFAULT_SHAPE,
        'phases': [(280, 4096, 4, 1.0, 'kv-drill')],
        'lr': 1e-4,
    },
    # Fourth stage, after default-stage3-drill left niah at 94 / 92 % (2K / 4K): kv and multi-needle drills
    # (every needle asked, answers only) at half the rate, from stage three's weights. 2 CPU cores, --cpu-bf16.
    'default-stage4-drill': {
        'model': DEFAULT_SHAPE,
        'phases': [(130, 4096, 4, 1.0, 'retrieval-drill')],
        'lr': 5e-5,
    },
    # A pipeline check: the default model's shape, a few tiny steps of every phase kind.
    'smoke': {
        'model': DEFAULT_SHAPE,
        'phases': [(2, 128, 4, 1.0, 'copy'), (2, 256, 2, 0.8, 'tasks'), (2, 1024, 1, 0.8, 'retrieval')],
        'lr': 2e-3,
    },
}


def scaled_phases(preset: dict, scale: float) -> list[tuple]:
    return [(max(1, round(p[0] * scale)), *p[1:]) for p in preset['phases']]
