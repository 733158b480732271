"""GraphQL of logistics: shipments, parcels, tracking events, rate quotes (scopes logistics:read / logistics:write)."""
