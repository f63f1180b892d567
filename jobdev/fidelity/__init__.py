"""The IPS Supported Employment Fidelity Scale in the product: the scale itself
(scale.py), the computed items, the review worksheet and its pages."""
