import { describe, expect, it } from 'vitest';
import { badJoinUrl, joinUrls } from '../../src/shared/join-urls.js';

describe("a host's --join URLs", () => {
  it('are read from one URL or several separated by commas, and a bad one is named', () => {
    expect(joinUrls('wss://a:7070')).toEqual(['wss://a:7070']);
    expect(joinUrls(' wss://a:7070 , ws://b:7070,')).toEqual(['wss://a:7070', 'ws://b:7070']);
    expect(badJoinUrl('wss://a:7070,https://b')).toBeNull();
    expect(badJoinUrl('wss://a:7070,b:7070')).toBe('b:7070');
    expect(badJoinUrl('ftp://a')).toBe('ftp://a');
    expect(badJoinUrl(' , ')).toBe('');
  });
});
