import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesDir, resourcesDirFor } from '../../src/server/paths';

describe('resourcesDirFor (where the station finds resources/models)', () => {
  it('when running from a checkout, then resources/ is under the project root', () => {
    expect(resourcesDirFor('/work/main')).toBe(join('/work/main', 'resources'));
    expect(resourcesDir).toBe(join(process.cwd(), 'resources'));
  });

  it('when packaged (the bundle inside <resources>/app.asar), then extraResources beside the archive are used', () => {
    expect(resourcesDirFor('/opt/SMART Oilfield/resources/app.asar')).toBe('/opt/SMART Oilfield/resources');
    expect(resourcesDirFor('/Applications/SMART Oilfield.app/Contents/Resources/app.asar')).toBe('/Applications/SMART Oilfield.app/Contents/Resources');
  });

  it('when a checkout folder merely contains "asar" in its name, then it is not taken for a packaged app', () => {
    expect(resourcesDirFor('/home/me/app.asar-notes')).toBe(join('/home/me/app.asar-notes', 'resources'));
  });
});
