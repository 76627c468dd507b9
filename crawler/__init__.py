"""The Scrapy project: gathers pages of one portal per run."""
