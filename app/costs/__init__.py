"""What training and answering cost, one module per idea:

units       unit conversions (joules per Wh, seconds per day, ...)
guards      checks on the numbers the cost model is given
figures     every published or assumed figure, from figures.toml (FIGURES)
estimate    assumptions, and energy, CO2 and money from measured compute (Cost)
break_even  when answering has cost as much as training; the BLOOMz-7B case
scale_up    a real model's training arithmetic at the reader's rate
comparison  the reader's model beside real ones, each cell saying how it is known
humanize    numbers written for people (shared with static/js/lib/format.js)
receipt     the plain-language receipt
panel       the cost panel's content, for templates/fragments/cost_panel.html
"""
