"""Seed pools shipped with seer, installed as the data package seer_cli.seed_pools."""
