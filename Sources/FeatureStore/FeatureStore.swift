// Module FeatureStore: see SPEC §9.
