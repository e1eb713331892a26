"""The prompt files (``<task>.v<N>.toml``): a package only so that ``importlib.resources`` finds them
inside an installed wheel (``pyproject.toml`` maps this folder to ``extractor.prompts``)."""
