"""The constructions that state relations, one module each, mixed into the extractor."""
