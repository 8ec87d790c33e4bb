/** Shared test data for the renderer specs (not exported from the library). */
import type { ProjectPage } from './project-page.model.js';

export const WHEEL_SHA = 'a'.repeat(64);
export const SDIST_SHA = 'b'.repeat(64);
export const OLD_SHA = 'c'.repeat(64);
export const METADATA_SHA = 'd'.repeat(64);

export const demoPage: ProjectPage = {
  name: 'demo',
  lastSerial: 42,
  versions: ['0.9', '1.0'],
  files: [
    {
      filename: 'demo-0.9.tar.gz',
      url: 'https://files.example/packages/demo-0.9.tar.gz',
      sha256: OLD_SHA,
      size: 10,
      uploadTime: new Date('2023-12-31T23:59:59.000Z'),
      yanked: { reason: '' },
    },
    {
      filename: 'demo-1.0-py3-none-any.whl',
      url: 'https://files.example/packages/demo-1.0-py3-none-any.whl',
      sha256: WHEEL_SHA,
      size: 147925,
      uploadTime: new Date('2024-01-17T16:53:12.779Z'),
      requiresPython: '>=3.9"><script>alert(1)</script>',
      yanked: false,
      coreMetadataSha256: METADATA_SHA,
    },
    {
      filename: 'demo-1.0.tar.gz',
      url: 'https://files.example/packages/demo-1.0.tar.gz',
      sha256: SDIST_SHA,
      size: 2048,
      uploadTime: new Date('2024-01-17T16:53:13.000Z'),
      requiresPython: '>=3.9',
      yanked: { reason: "broken <build> & 'bad'" },
    },
  ],
};
