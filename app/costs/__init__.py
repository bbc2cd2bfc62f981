"""What training and answering cost: sourced figures, estimates, break-even, scale-up, the cost
panel, and numbers written for people."""
