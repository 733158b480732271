"""Logistics: carriers and rate cards (carriers), shipments with a waybill per parcel (shipments), tracking
by push and polling (tracking). Tenant apps; see docs/logistics.md."""
