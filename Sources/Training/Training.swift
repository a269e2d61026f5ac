// Module Training: see SPEC §9.
