import type { Router, Method, Handler } from '../http/router';
import * as api from '../../protocol/mlflowRegistry';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { decodePageToken, encodePageToken } from '../../core/tracking/pageToken';
import { encodeModelVersion, encodeRegisteredModel } from './encodeRegistry';
import { mlflowRoute, maxResultsOf } from './mlflowRoute';

// MLflow's model registry API (protos/model_registry.proto) under both prefixes.
// Methods are the proto's: update is PATCH, deletes are DELETE (their input is
// read from the body, or from the query string as some clients send it).

const MODELS_DEFAULT_RESULTS = 100;
const MODELS_MAX_RESULTS = 1000;
const VERSIONS_DEFAULT_RESULTS = 10_000;
const VERSIONS_MAX_RESULTS = 200_000;

export function registerRegistryRoutes(router: Router, registry: ModelRegistry): void {
  for (const base of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
    const on = (method: Method, path: string, h: Handler) => router.on(method, base + path, h);

    // Registered models
    on('POST', '/registered-models/create', mlflowRoute(api.createRegisteredModel, (i) => ({
      registered_model: encodeRegisteredModel(registry.createModel(i.name, { description: i.description, tags: i.tags })),
    })));
    on('GET', '/registered-models/get', mlflowRoute(api.registeredModelByName, (i) => ({ registered_model: encodeRegisteredModel(registry.getModel(i.name)) })));
    const searchModels = mlflowRoute(api.searchRegisteredModels, (i) => {
      const maxResults = maxResultsOf(i.max_results, MODELS_DEFAULT_RESULTS, MODELS_MAX_RESULTS);
      const offset = decodePageToken(i.page_token);
      const page = registry.searchModels({ filter: i.filter, orderBy: i.order_by, maxResults, offset });
      return {
        registered_models: page.models.length ? page.models.map(encodeRegisteredModel) : undefined,
        next_page_token: page.nextOffset === undefined ? undefined : encodePageToken(page.nextOffset),
      };
    });
    on('GET', '/registered-models/search', searchModels);
    on('POST', '/registered-models/search', searchModels);
    on('POST', '/registered-models/rename', mlflowRoute(api.renameRegisteredModel, (i) => ({ registered_model: encodeRegisteredModel(registry.renameModel(i.name, i.new_name)) })));
    on('PATCH', '/registered-models/update', mlflowRoute(api.updateRegisteredModel, (i) => ({ registered_model: encodeRegisteredModel(registry.updateModel(i.name, i.description)) })));
    on('DELETE', '/registered-models/delete', mlflowRoute(api.registeredModelByName, (i) => void registry.deleteModel(i.name)));
    const latest = mlflowRoute(api.getLatestVersions, (i) => {
      const versions = registry.getLatestVersions(i.name, i.stages);
      return { model_versions: versions.length ? versions.map(encodeModelVersion) : undefined };
    });
    on('POST', '/registered-models/get-latest-versions', latest);
    on('GET', '/registered-models/get-latest-versions', latest);
    on('POST', '/registered-models/set-tag', mlflowRoute(api.setRegisteredModelTag, (i) => void registry.setModelTag(i.name, i.key, i.value)));
    on('DELETE', '/registered-models/delete-tag', mlflowRoute(api.deleteRegisteredModelTag, (i) => void registry.deleteModelTag(i.name, i.key)));

    // Aliases
    on('POST', '/registered-models/alias', mlflowRoute(api.setRegisteredModelAlias, (i) => void registry.setAlias(i.name, i.alias, i.version)));
    on('DELETE', '/registered-models/alias', mlflowRoute(api.registeredModelAlias, (i) => void registry.deleteAlias(i.name, i.alias)));
    on('GET', '/registered-models/alias', mlflowRoute(api.registeredModelAlias, (i) => ({ model_version: encodeModelVersion(registry.getVersionByAlias(i.name, i.alias)) })));

    // Model versions
    on('POST', '/model-versions/create', mlflowRoute(api.createModelVersion, async (i) => ({
      model_version: encodeModelVersion(
        await registry.createVersion({
          name: i.name,
          source: i.source,
          runId: i.run_id || undefined,
          runLink: i.run_link,
          description: i.description,
          tags: i.tags,
          // MLflow's request has no field for features; a tag carries them, so any MLflow client can send them.
          featuresSpec: i.tags?.find((t) => t.key === api.MODEL_VERSION_FEATURES_TAG)?.value,
        }),
      ),
    })));
    on('GET', '/model-versions/get', mlflowRoute(api.modelVersionRef, (i) => ({ model_version: encodeModelVersion(registry.getVersion(i.name, i.version)) })));
    const searchVersions = mlflowRoute(api.searchModelVersions, (i) => {
      const maxResults = maxResultsOf(i.max_results, VERSIONS_DEFAULT_RESULTS, VERSIONS_MAX_RESULTS);
      const offset = decodePageToken(i.page_token);
      const page = registry.searchVersions({ filter: i.filter, orderBy: i.order_by, maxResults, offset });
      return {
        model_versions: page.versions.length ? page.versions.map(encodeModelVersion) : undefined,
        next_page_token: page.nextOffset === undefined ? undefined : encodePageToken(page.nextOffset),
      };
    });
    on('GET', '/model-versions/search', searchVersions);
    on('POST', '/model-versions/search', searchVersions);
    on('PATCH', '/model-versions/update', mlflowRoute(api.updateModelVersion, (i) => ({ model_version: encodeModelVersion(registry.updateVersion(i.name, i.version, i.description)) })));
    on('DELETE', '/model-versions/delete', mlflowRoute(api.modelVersionRef, (i) => void registry.deleteVersion(i.name, i.version)));
    on('POST', '/model-versions/transition-stage', mlflowRoute(api.transitionModelVersionStage, (i) => ({
      model_version: encodeModelVersion(registry.transitionStage(i.name, i.version, i.stage, i.archive_existing_versions)),
    })));
    on('GET', '/model-versions/get-download-uri', mlflowRoute(api.modelVersionRef, (i) => ({ artifact_uri: registry.downloadUri(i.name, i.version) })));
    on('POST', '/model-versions/set-tag', mlflowRoute(api.setModelVersionTag, (i) => void registry.setVersionTag(i.name, i.version, i.key, i.value)));
    on('DELETE', '/model-versions/delete-tag', mlflowRoute(api.deleteModelVersionTag, (i) => void registry.deleteVersionTag(i.name, i.version, i.key)));
  }
}
