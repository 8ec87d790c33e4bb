import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDistributionFilename, type WheelFilename } from './distribution-filename.js';
import { unsupportedPlatformTag } from './wheel-platform.js';

const check = (filename: string): string | undefined => {
  const parsed = parseDistributionFilename(filename, 'bdist_wheel');
  assert.ok(parsed.ok, filename);
  return unsupportedPlatformTag(parsed.value as WheelFilename, filename);
};

describe('wheel platform tags (BAD-INPUT 37)', () => {
  it('accepts what installers select, including internal linux_<arch> builds', () => {
    for (const plat of [
      'any',
      'linux_x86_64',
      'linux_aarch64',
      'manylinux1_x86_64',
      'manylinux2014_aarch64',
      'manylinux_2_17_x86_64.manylinux2014_x86_64',
      'musllinux_1_2_x86_64',
      'macosx_10_9_x86_64',
      'macosx_11_0_arm64',
      'macosx_10_9_universal2',
      'win_amd64',
      'win32',
      'ios_13_0_arm64_iphoneos',
      'android_21_arm64_v8a',
      'freebsd_14_0_release_amd64',
    ]) {
      assert.equal(check(`demo-1.0-cp312-cp312-${plat}.whl`), undefined, plat);
    }
  });

  it('refuses tags no installer selects, naming the tag', () => {
    assert.equal(check('demo-1.0-py3-none-macosx_9_2_x86_64.whl'), "Binary wheel 'demo-1.0-py3-none-macosx_9_2_x86_64.whl' has an unsupported platform tag 'macosx_9_2_x86_64'. macOS tags are macosx_10_<minor>_<arch>, or macosx_<major>_0_<arch> from macOS 11 on.");
    assert.match(check('demo-1.0-py3-none-macosx_11_3_arm64.whl') ?? '', /unsupported platform tag 'macosx_11_3_arm64'/);
    assert.match(check('demo-1.0-py3-none-macosx_10_9_sparc.whl') ?? '', /unsupported platform tag 'macosx_10_9_sparc'/);
    assert.match(check('demo-1.0-py3-none-win_x86_64.whl') ?? '', /unsupported platform tag 'win_x86_64'/);
    assert.match(check('demo-1.0-py3-none-manylinux_x86_64.whl') ?? '', /unsupported platform tag 'manylinux_x86_64'/);
    assert.match(check('demo-1.0-py3-none-linux_x86_64.win32.whl') ?? '', /unsupported platform tag 'linux_x86_64\.win32': one wheel cannot be built for several operating systems\.$/);
    assert.match(check('demo-1.0-py3-none-any.linux_x86_64.whl') ?? '', /several operating systems/);
  });
});
