// Module NeuralNet: see SPEC §9.
