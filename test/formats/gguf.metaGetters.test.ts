import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  metaArray, metaBool, metaNumber, metaNumberArray, metaNumberOptional, metaString, metaStringArray,
  metaStringArrayOptional, metaStringOptional,
} from '../../src/formats/gguf/metaGetters.js';
import { ModelFormatError } from '../../src/formats/errors.js';
import type { GgufValue } from '../../src/formats/gguf/types.js';

const file = {
  path: 'm.gguf',
  metadata: new Map<string, GgufValue>([
    ['name', 'tiny'], ['n', 12], ['big', 2n ** 60n], ['flag', true],
    ['tokens', ['a', 'b']], ['scores', [0.5, -1]], ['mixed', ['a', 3]],
  ]),
};

function failsWith(fn: () => unknown, problem: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ModelFormatError && e.file === 'm.gguf' && e.problem === problem);
}

test('typed getters return values of the right type', () => {
  assert.equal(metaString(file, 'name'), 'tiny');
  assert.equal(metaNumber(file, 'n'), 12);
  assert.equal(metaBool(file, 'flag'), true);
  assert.deepEqual(metaArray(file, 'tokens'), ['a', 'b']);
  assert.deepEqual(metaStringArray(file, 'tokens'), ['a', 'b']);
  assert.deepEqual(metaNumberArray(file, 'scores'), [0.5, -1]);
  assert.equal(metaStringOptional(file, 'absent'), undefined);
  assert.equal(metaNumberOptional(file, 'n'), 12);
});

test('typed getters name the key when it is missing or has the wrong type', () => {
  failsWith(() => metaString(file, 'absent'), "missing metadata key 'absent'");
  failsWith(() => metaString(file, 'n'), "metadata key 'n' is a number, expected a string");
  failsWith(() => metaNumber(file, 'big'), "metadata key 'big' is a 64-bit integer beyond 2^53, expected a number");
  failsWith(() => metaBool(file, 'tokens'), "metadata key 'tokens' is an array, expected a bool");
  failsWith(() => metaStringArray(file, 'mixed'), "metadata key 'mixed[1]' is a number, expected a string");
  failsWith(() => metaNumberArray(file, 'tokens'), "metadata key 'tokens[0]' is a string, expected a number");
  failsWith(() => metaStringArrayOptional(file, 'name'), "metadata key 'name' is a string, expected an array");
});
