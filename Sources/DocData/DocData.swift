// Module DocData: see SPEC §9.
