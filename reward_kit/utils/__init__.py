"""Helpers reward-kit documents under ``reward_kit.utils``: N-variant results to batch input
(:mod:`~reward_kit.utils.batch_transformation`) and batch-mode scoring of it
(:mod:`~reward_kit.utils.batch_evaluation`)."""
