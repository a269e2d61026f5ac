// Module Experiments: see SPEC §9.
