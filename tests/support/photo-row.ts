import type { NewPhoto } from '../../electron/services/library/library.js';

/** A photo row as the importer would hand it over, with no files behind it: a 600×400 JPEG without EXIF unless told. */
export function newPhotoRow(row: Pick<NewPhoto, 'sha256' | 'fileName'> & Partial<NewPhoto>): NewPhoto {
  return {
    sourcePath: null,
    format: 'jpeg',
    byteSize: 1000,
    width: 600,
    height: 400,
    orientation: 1,
    takenAt: null,
    cameraMake: null,
    cameraModel: null,
    lens: null,
    iso: null,
    exposureTime: null,
    fNumber: null,
    focalLength: null,
    gpsLatitude: null,
    gpsLongitude: null,
    ...row,
  };
}
