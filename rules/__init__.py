"""The screening core: dated reference lists, matching, and one pure function per rule.

Pure by contract: no Kafka, no network, no environment, no wall clock. Time comes from the
payment (or is passed in), thresholds from the rule pack, lists from a ListSet handed in.
"""
