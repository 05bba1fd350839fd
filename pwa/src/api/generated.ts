// Named views of the server's API types (generated in schema.gen.ts from docs/openapi.json), for
// code that reads the server's answers.
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type ApiError = Schemas['ErrorBody'];
export type ApiSession = Schemas['Session'];
export type ApiNewDevice = Schemas['NewDevice'];
export type ApiDevice = Schemas['Device'];
export type ApiPerson = Schemas['Person'];
export type ApiCampaignList = Schemas['CampaignList'];
export type ApiCompleteness = Schemas['CompletenessAnswer'];
export type ApiPetitionItem = Schemas['PetitionItem'];
export type ApiRecord = Schemas['Record'];
export type ApiVillage = Schemas['Village'];
export type ApiMyAlertChannels = Schemas['MyAlertChannels'];
export type ApiBlobStatus = Schemas['BlobStatus'];
export type ApiUploadRefusal = Schemas['UploadRefusal'];
