"""Code that runs inside the Rasa server besides the NLU components (nlu_components/): its tracker store."""
