"""The screening service: what any runtime does with records, between the adapters and rules/.

decode.py turns a raw record into a payment or a rejection, service.py screens one payment
(`screen_one` over a `WindowStore`), alerts.py and retro.py turn decisions into alert records,
context_loader.py builds the screening context from the settings. The Faust worker (streams/),
`dinarwatch screen` and replay (offline/) all call this one service, so a payment gets the same
decision wherever it is screened.
"""
