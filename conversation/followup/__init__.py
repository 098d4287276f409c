"""Follow-up messages: state changes with negation scope, questions about the results on screen.

``parse`` reads the text (no database), ``targets`` resolves phrases to catalog facet values,
``apply`` turns a parse into a new ``SearchState`` (and the state into search filters) and
``answers`` answers questions from catalog metadata.
"""
