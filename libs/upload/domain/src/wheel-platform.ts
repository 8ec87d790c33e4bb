/**
 * Wheel platform tags (BAD-INPUT 37). Quiver hosts internal builds, so unlike PyPI it accepts plain
 * `linux_<arch>` wheels (and other operating systems' `sysconfig` platforms). It refuses tags no
 * installer would ever select: macOS versions that do not exist in tag form, and one wheel claiming
 * several operating systems. Pure.
 * Spec: https://packaging.python.org/specifications/platform-compatibility-tags/
 */
import type { WheelFilename } from './distribution-filename.js';

type Family = 'any' | 'linux' | 'macos' | 'windows' | 'ios' | 'android' | 'other';

const MACOS_ARCHES = new Set(['arm64', 'x86_64', 'universal2', 'universal', 'intel', 'fat', 'fat3', 'fat32', 'fat64', 'i386', 'ppc', 'ppc64']);
const WINDOWS = new Set(['win32', 'win_amd64', 'win_arm64', 'win_arm32', 'win_ia64']);

/** The tag's operating-system family, or `undefined` when the tag cannot be valid. */
function familyOf(tag: string): Family | undefined {
  if (tag === 'any') {
    return 'any';
  }
  if (tag.startsWith('win')) {
    return WINDOWS.has(tag) ? 'windows' : undefined;
  }
  if (tag.startsWith('macosx')) {
    // macOS 10.x: macosx_10_<minor>_<arch>; macOS 11 and later are tagged <major>_0.
    const match = /^macosx_(\d+)_(\d+)_([a-z0-9_]+)$/.exec(tag);
    const [major, minor, arch] = [Number(match?.[1]), Number(match?.[2]), match?.[3] ?? ''];
    const version = major === 10 ? minor <= 16 : major >= 11 && major <= 99 && minor === 0;
    return match && version && MACOS_ARCHES.has(arch) ? 'macos' : undefined;
  }
  if (/^(linux|manylinux1|manylinux2010|manylinux2014)_[a-z0-9_]+$/.test(tag) || /^(manylinux|musllinux)_\d+_\d+_[a-z0-9_]+$/.test(tag)) {
    return 'linux';
  }
  if (tag.startsWith('manylinux') || tag.startsWith('musllinux')) {
    return undefined;
  }
  if (tag.startsWith('ios')) {
    return /^ios_\d+_\d+_[a-z0-9_]+$/.test(tag) ? 'ios' : undefined;
  }
  if (tag.startsWith('android')) {
    return /^android_\d+_[a-z0-9_]+$/.test(tag) ? 'android' : undefined;
  }
  // Other sysconfig platforms (freebsd_14_0_release_amd64, cygwin_…, solaris_…): lowercase os_rest.
  return /^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(tag) ? 'other' : undefined;
}

/** Why the wheel's platform tags are refused, or `undefined` when an installer could select them. */
export function unsupportedPlatformTag(wheel: WheelFilename, filename: string): string | undefined {
  const families = new Set<Family>();
  for (const tag of wheel.platformTags) {
    const family = familyOf(tag);
    if (!family) {
      return `Binary wheel '${filename}' has an unsupported platform tag '${tag}'.${tag.startsWith('macosx') ? ' macOS tags are macosx_10_<minor>_<arch>, or macosx_<major>_0_<arch> from macOS 11 on.' : ''}`;
    }
    families.add(family);
  }
  if (families.size > 1) {
    return `Binary wheel '${filename}' has an unsupported platform tag '${wheel.platformTags.join('.')}': one wheel cannot be built for several operating systems.`;
  }
  return undefined;
}
