"""Product data management (TENANT schema): parts under revision control (parts/), and — to come —
the document vault and engineering change orders. See docs/pdm.md."""
