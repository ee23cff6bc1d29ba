import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

test('native addon loads', () => {
  const require = createRequire(import.meta.url);
  const addon = require('../../build/Release/fastfill_native.node') as { version(): string };
  assert.match(addon.version(), /^fastfill-native/);
});
