-- Owner labels are one label whatever their case ("itf", "Itf" and "ITF"
-- are ITF): labels stored before they were normalised are upper-cased, in
-- items and in label mappings.
UPDATE getbacks SET owner = upper(owner) WHERE owner_kind = 'label' AND owner <> upper(owner);
DELETE FROM owner_mappings WHERE label <> upper(label)
	AND EXISTS (SELECT 1 FROM owner_mappings o WHERE o.workspace = owner_mappings.workspace AND o.label = upper(owner_mappings.label));
UPDATE owner_mappings SET label = upper(label) WHERE label <> upper(label);
