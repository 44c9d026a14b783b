// Tests of the runs table panel (mlops.openRunsTable).
export {};
