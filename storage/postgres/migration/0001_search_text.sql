-- getback_unaccent(text): the text with accents removed, for the full-text
-- index (SQLite's index ignores accents too). It uses the unaccent
-- extension when it is installed or can be; otherwise a fixed table of
-- Latin letters. Declared IMMUTABLE (unaccent itself is only STABLE, since
-- its dictionary could change) so that an index may use it; the dictionary
-- is named with its schema, so the search path does not matter.
DO $do$
DECLARE
	ext text;
BEGIN
	SELECT n.nspname INTO ext FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
	IF ext IS NULL THEN
		BEGIN
			CREATE EXTENSION unaccent;
			SELECT n.nspname INTO ext FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
		EXCEPTION WHEN OTHERS THEN
			ext := NULL; -- not installed on the server, or not allowed: use the table below
		END;
	END IF;
	IF ext IS NOT NULL THEN
		EXECUTE format('CREATE FUNCTION getback_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS %L',
			format('SELECT %I.unaccent(%L::regdictionary, $1)', ext, quote_ident(ext) || '.unaccent'));
	ELSE
		CREATE FUNCTION getback_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
			SELECT translate($1,
				'ÀÁÂÃÄÅĀĂĄàáâãäåāăąÇĆĈĊČçćĉċčĎĐďđÈÉÊËĒĔĖĘĚèéêëēĕėęěĜĞĠĢĝğġģĤĦĥħÌÍÎÏĨĪĬĮİìíîïĩīĭįıĴĵĶķĹĻĽĿŁĺļľŀłÑŃŅŇñńņňÒÓÔÕÖØŌŎŐòóôõöøōŏőŔŖŘŕŗřŚŜŞŠśŝşšŢŤŦţťŧÙÚÛÜŨŪŬŮŰŲùúûüũūŭůűųŴŵÝŸŶýÿŷŹŻŽźżž',
				'AAAAAAAAAaaaaaaaaaCCCCCcccccDDddEEEEEEEEEeeeeeeeeeGGGGggggHHhhIIIIIIIIIiiiiiiiiiJjKkLLLLLlllllNNNNnnnnOOOOOOOOOoooooooooRRRrrrSSSSssssTTTtttUUUUUUUUUUuuuuuuuuuuWwYYYyyyZZZzzz')
		$f$;
	END IF;
END
$do$;
