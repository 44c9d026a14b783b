// Tests of the comparison panel (mlops.compareRuns).
export {};
