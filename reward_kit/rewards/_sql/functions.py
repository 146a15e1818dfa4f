"""The functions a vetted query may call: scalar, aggregate and window functions only.

Names are DuckDB's (as sqlglot's anonymous functions carry them) and sqlglot's expression keys
(``exp.Sum`` is ``sum``). Anything else (``read_csv``, ``glob``, ``getenv``, ``query``,
``current_setting``, ``duckdb_*`` ...) is refused: a function not listed here is never run.
"""

from __future__ import annotations

_AGGREGATE = """
any_value approx_count_distinct approx_distinct approx_quantile arbitrary arg_max arg_min argmax
argmin array_agg avg bit_and bit_or bit_xor bool_and bool_or corr count count_star countif
covar_pop covar_samp first favg fsum group_concat kurtosis last list listagg logical_and
logical_or max max_by median min min_by mode percentile_cont percentile_disc product quantile
quantile_cont quantile_disc regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope
regr_sxx regr_sxy regr_syy skewness stddev stddev_pop stddev_samp string_agg sum variance
var_pop var_samp array_unique_agg arrayagg arrayuniqueagg approxdistinct approxquantile
argmaxagg argminagg stddevpop stddevsamp varpop varsamp groupconcat percentilecont
percentiledisc anyvalue countif
"""

_WINDOW = """
cume_dist dense_rank first_value lag last_value lead nth_value ntile percent_rank rank
row_number firstvalue lastvalue nthvalue percentrank cumedist denserank rownumber
"""

_SCALAR = """
abs acos asin atan atan2 cbrt ceil ceiling cos cot degrees div even exp factorial floor gamma
greatest isfinite isinf isnan least lgamma ln log log10 log2 mod nextafter pi pow power
radians round sign signbit sin sqrt tan trunc truncate safedivide bit_count
ascii bit_length chr concat concat_ws contains ends_with endswith format initcap instr
lcase left length len levenshtein like_escape lower lpad ltrim md5 nfc_normalize position
prefix repeat replace reverse right rpad rtrim split split_part starts_with startswith strip
strpos str_position substr substring suffix trim ucase upper translate jaro_similarity
jaro_winkler_similarity hamming damerau_levenshtein editdistance regexp_extract
regexp_extract_all regexp_full_match regexp_matches regexp_replace regexp_split_to_array
regexplike regexpextract regexpextractall regexpreplace regexpsplit regexpilike string_split
string_split_regex str_split str_split_regex string_to_array lower upper unicode ord
stringtoarray split_part splitpart strposition textmatch
age current_date current_time current_timestamp date_add date_diff date_part date_sub
date_trunc datediff datepart datetrunc dayname day dayofmonth dayofweek dayofyear epoch
epoch_ms extract hour isodow isoyear last_day make_date make_time make_timestamp microsecond
millisecond minute month monthname now quarter second strftime strptime time_bucket
timezone to_timestamp today week weekday weekofyear year yearweek dateadd datesub datestrtodate
datetostr timetostr strtotime strtodate timestrtotime timestamptrunc timestampadd timestampdiff
timestampsub tsordstodate tsordstotime unixtotime timetounix timetostr lastday makedate
make_interval to_days to_hours to_minutes to_seconds to_months to_years to_weeks to_milliseconds
dayofweekiso currentdate currenttime currenttimestamp timediff timeadd timesub datefromparts
coalesce ifnull nullif if iff case cast try_cast trycast typeof isnull isnotnull nvl
array_contains array_distinct array_length array_position array_slice array_sort array_concat
array_to_string array_reverse array_filter array_transform array_apply list_aggregate
list_contains list_distinct list_extract list_filter list_has list_position list_reverse
list_slice list_sort list_transform list_value list_concat list_unique array_has unnest
generate_series range struct_extract struct_pack row map map_extract element_at cardinality
flatten array arraycontains arraydistinct arraysize arraysort arrayconcat arraytostring
arrayfilter arraytostring transform listagg arrayjoin struct structextract varmap
arrayfirst arraylast arrayreverse arrayslice arrayuniqueagg explode posexplode generateseries
exists hash stats alias_if_missing columns dot bracket paren not and or xor
"""

ALLOWED_FUNCTIONS = frozenset((_AGGREGATE + _WINDOW + _SCALAR).split())
"""Lower-case names (DuckDB names and sqlglot keys) of the functions a query may call."""

TABLE_FUNCTIONS = frozenset({"range", "generate_series", "generateseries", "unnest"})
"""The only functions a query may read rows from: they generate rows, they read nothing."""
