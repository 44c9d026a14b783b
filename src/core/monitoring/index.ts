// The drift engine's public surface: the server, the CLI and tests import from here.
export * from './driftTypes';
export { prepareReference, type PreparedReference, type PreparedFeature, type PreparedNumericFeature, type PreparedCategoricalFeature } from './preparedReference';
export { driftReport, datasetVerdict, DEFAULT_DRIFT_SHARE, type DriftReportOptions } from './driftReport';
export { featureDrift } from './featureDrift';
export { STAT_TESTS, defaultStatTest, isStatTestName, SMALL_REFERENCE_ROWS, type StatTestInfo } from './stattests';
export { parseCsvColumns, type CsvColumns, type CsvOptions } from './csvColumns';
export type { Category, CategoryCounts } from './categoryCounts';
// The statistics themselves, for callers that have raw samples rather than a report to make.
export { ksTwoSample, ksStatistic, type KsResult } from './ksTest';
export { chiSquareTest, type ChiSquareResult } from './chiSquareTest';
export { twoProportionZTest, type ZTestResult } from './zTest';
export { wassersteinDistance, normedWasserstein, populationStd } from './wassersteinDistance';
export { jensenShannonDistance } from './jensenShannon';
export { populationStabilityIndex } from './psi';
export { klDivergence } from './klDivergence';
export { numericBinShares, categoryShares, fillZeroShares, sturgesEdges } from './binnedDistributions';
export { chiSquaredSurvival, regularizedGammaQ, logGamma } from './gammaFunctions';
export { kolmogorovSurvival } from './kolmogorovDistribution';
export { smirnovSurvival } from './smirnovDistribution';
export { normalCdf, erfc } from './normalDistribution';
// Live monitoring of a deployment.
export { RowWindow } from './rowWindow';
export { RequestLog, type RecordedRow } from './requestLog';
export { liveDrift, type LiveDriftSnapshot, type LiveDriftResult, type LiveDriftOptions } from './liveDrift';
export { distributionsOf, type Distributions } from './distributions';
export { parseDataFile, isJsonLinesFile } from './dataFile';
export { parseJsonlColumns } from './jsonlColumns';
export { prepareNumericFeature, prepareCategoricalFeature } from './preparedReference';
