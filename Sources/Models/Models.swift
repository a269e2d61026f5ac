// Module Models: see SPEC §9.
