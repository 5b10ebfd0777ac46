-- id: lambda-layer-overrides-runtime
-- title: Layers that override the runtime or the function's own code
-- description: Files of a layer attached to a function version that change what runs, by where
--   Lambda's runtimes look: modules the runtime provides (the AWS SDK in /var/runtime, boto3 and
--   the Python standard library), found first in /opt/nodejs/…/node_modules and /opt/python;
--   Node.js modules that a bare require() finds in the layer before the function's own top-level
--   file; executables in /opt/extensions (started as extension processes); a bootstrap for a custom
--   runtime the package lacks; the AWS_LAMBDA_EXEC_WRAPPER script; .pth files in a Python site
--   directory; and files that replace those of an earlier layer of the same function.
-- severity: high
-- parameters: function:string=
-- attack: T1574
-- evidence: lambda
WITH uses AS (
  SELECT f.function_name, f.version, f.runtime, split_part(f.function_arn, ':', 4) AS region,
    l.value->>'$.Arn' AS layer_version_arn, CAST(l.key AS INTEGER) + 1 AS layer_position,
    json_extract_string(f.environment, '$.Variables.AWS_LAMBDA_EXEC_WRAPPER') AS exec_wrapper
  FROM lambda_functions f, json_each(f.layers) l
  WHERE $function IS NULL OR f.function_name = $function
),
lf AS (
  SELECT u.*, c.path, c.install_path, c.search_root, c.module, c.artifact_key, c.artifact_sha256
  FROM uses u JOIN lambda_code_files c
    ON c.layer_arn IS NOT NULL AND c.layer_arn || ':' || c.version = u.layer_version_arn AND c.entry_type <> 'directory'
),
fn AS (
  SELECT function_name, version, path, module, search_root FROM lambda_code_files WHERE function_name IS NOT NULL AND entry_type <> 'directory'
),
python_runtime(module) AS (VALUES
  ('boto3'), ('botocore'), ('s3transfer'), ('jmespath'), ('dateutil'), ('urllib3'), ('six'), ('awslambdaric'), ('bootstrap'),
  ('lambda_runtime_client'), ('lambda_runtime_marshaller'), ('lambda_runtime_exception'), ('lambda_runtime_log_utils'),
  ('json'), ('logging'), ('http'), ('urllib'), ('ssl'), ('socket'), ('base64'), ('hashlib'), ('hmac'), ('subprocess'), ('uuid'),
  ('decimal'), ('email'), ('xml'), ('zlib'), ('gzip'), ('zipfile'), ('tarfile'), ('pickle'), ('struct'), ('datetime'), ('time'),
  ('random'), ('secrets'), ('typing'), ('collections'), ('functools'), ('itertools'), ('pathlib'), ('shutil'), ('tempfile'),
  ('threading'), ('traceback'), ('copy'), ('string'), ('enum'), ('dataclasses'), ('inspect'), ('importlib'), ('asyncio'),
  ('concurrent'), ('contextlib'), ('argparse'), ('csv'), ('sqlite3'), ('warnings'), ('platform'), ('signal'), ('select'),
  ('queue'), ('codecs'), ('binascii'), ('ipaddress'), ('mimetypes'), ('glob'), ('fnmatch'), ('io'), ('os'), ('sys'), ('re')
),
found AS (
  SELECT lf.*, 'runtime module ' || lf.module AS overrides,
    'the runtime provides it in /var/runtime; NODE_PATH searches ' || lf.search_root || ' first' AS how
  FROM lf WHERE lf.runtime LIKE 'nodejs%' AND lf.search_root LIKE '/opt/nodejs/%node_modules'
    AND (lf.module = 'aws-sdk' OR lf.module LIKE '@aws-sdk/%' OR lf.module LIKE '@smithy/%' OR lf.module LIKE '@aws-crypto/%')
  UNION ALL
  SELECT lf.*, 'runtime module ' || lf.module, lf.search_root || ' comes before the runtime and the standard library on sys.path'
  FROM lf JOIN python_runtime r ON r.module = lf.module WHERE lf.runtime LIKE 'python%' AND lf.search_root LIKE '/opt/python%'
  UNION ALL
  SELECT lf.*, 'function module ' || fn.path, 'a bare require(''' || lf.module || ''') finds NODE_PATH''s ' || lf.search_root || ' before /var/task'
  FROM lf JOIN fn ON fn.function_name = lf.function_name AND fn.version = lf.version AND fn.search_root = '/var/task' AND fn.module = lf.module
  WHERE lf.runtime LIKE 'nodejs%' AND lf.search_root LIKE '/opt/nodejs/%node_modules'
    AND NOT EXISTS (SELECT 1 FROM fn n WHERE n.function_name = lf.function_name AND n.version = lf.version AND n.search_root = '/var/task/node_modules' AND n.module = lf.module)
  UNION ALL
  SELECT lf.*, 'extension ' || lf.module, 'Lambda starts every executable in /opt/extensions beside the function, in every execution environment'
  FROM lf WHERE lf.search_root = '/opt/extensions'
  UNION ALL
  SELECT lf.*, 'custom runtime bootstrap', 'the package has no bootstrap of its own, so Lambda runs /opt/bootstrap as the runtime'
  FROM lf WHERE lf.module = 'bootstrap' AND lf.search_root = '/opt' AND lf.runtime LIKE 'provided%'
    AND NOT EXISTS (SELECT 1 FROM fn WHERE fn.function_name = lf.function_name AND fn.version = lf.version AND fn.path = 'bootstrap')
  UNION ALL
  SELECT lf.*, 'AWS_LAMBDA_EXEC_WRAPPER', 'the function''s AWS_LAMBDA_EXEC_WRAPPER names this file: it runs before the runtime, with its arguments'
  FROM lf WHERE lf.install_path = lf.exec_wrapper
  UNION ALL
  SELECT lf.*, 'site directory .pth', 'import lines of a .pth file in a site directory run when the interpreter adds it'
  FROM lf WHERE lf.search_root LIKE '/opt/python/lib/python3.%/site-packages' AND lf.path LIKE '%.pth'
  UNION ALL
  SELECT lf.*, 'file of layer ' || e.layer_version_arn, 'layers are extracted in order: this one, later in the list, replaces ' || lf.install_path
  FROM lf JOIN lf e ON e.function_name = lf.function_name AND e.version = lf.version AND e.install_path = lf.install_path AND e.layer_position < lf.layer_position
)
SELECT function_name, version, runtime, layer_version_arn AS layer, layer_position, overrides, how,
  min(path) AS path, count(*) AS files, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM found
GROUP BY function_name, version, runtime, layer_version_arn, layer_position, overrides, how, artifact_key, artifact_sha256
ORDER BY function_name, TRY_CAST(version AS BIGINT) NULLS LAST, version, layer_position, overrides
