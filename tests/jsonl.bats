#!/usr/bin/env bats
# --format jsonl: never wrapped, whatever the width; result and parameter
# values typed as JSON; the schema's version in the header record.

load helpers

@test "jsonl is not wrapped: a note of over 200 characters is one record at COLUMNS=40" {
    COLUMNS=40 run --separate-stderr "$CONCDEMO" semaphore --speed 100 --format jsonl
    [ "$status" -eq 0 ]
    # every line is one JSON object
    jq -e -s 'length > 10' <<<"$output"
    [ "$(jq -c . <<<"$output" | grep -c '')" -eq "$(grep -c '' <<<"$output")" ]
    # the long note: one record, its text whole, with no newline in it
    local long
    long=$(jq -r 'select(.kind == "note" and (.text | length) > 200) | .text' <<<"$output")
    [ -n "$long" ]
    [ "$(grep -c '' <<<"$long")" -eq 1 ]
    # the text format at the same width shows it over several lines, every word there
    COLUMNS=40 run "$CONCDEMO" semaphore --speed 100
    local first_words shown
    first_words=$(cut -d" " -f1-2 <<<"$long")
    shown=$(grep -F -A30 "# $first_words" <<<"$output" | sed -E 's/^ +(# )?//' | paste -sd' ' | tr -s ' ')
    [ "$(grep -cF "# $first_words" <<<"$output")" -eq 1 ]
    [[ "$shown" == "$(tr -s ' ' <<<"$long")"* ]] # spaces at a break are dropped
}

@test "jsonl result data: numbers, yes/no as booleans, lists as arrays, the rest strings" {
    run "$CONCDEMO" semaphore --speed 100 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s 'map(select(.kind == "result"))[0].data
              | (.threads | type) == "number" and (.elapsed | type) == "number"
                and (.in_start_order | type) == "boolean"
                and (.wave_sizes | type) == "array" and (.wave_sizes | all(type == "number"))
                and (.wave_sizes | add) == 22' <<<"$output" # waves of 5, 5, 5, 5, 2 unless the machine is slow
    run "$CONCDEMO" race --threads 300 --format jsonl
    jq -e -s 'map(select(.kind == "result"))[0].data | (.lost | type) == "number" and .num + .lost == 300' <<<"$output"
    # a list whose elements are not numbers: an array of strings
    run "$CONCDEMO" condition --part order --speed 50 --format jsonl
    jq -e -s 'map(select(.kind == "result"))[0].data
              | (.sequence | type) == "array" and (.sequence | all(type == "string")) and (.sequence | length) == 10
                and .sequence[0] == "1-0" and (.as_article | type) == "boolean" and .part == "order"' <<<"$output"
    # a Python repr is no list: a string, as printed
    run "$CONCDEMO" pipe --part send --format jsonl
    jq -e -s 'map(select(.kind == "result"))[0].data | .got == "[42,None,'"'"'hello'"'"']" and .child_exit == 0' <<<"$output"
    # Python's True: true
    run "$CONCDEMO" queue --part empty --tries 50 --format jsonl
    jq -e -s 'map(select(.kind == "result"))[0].data | .first_empty == true or .first_empty == false' <<<"$output"
}

@test "jsonl params data are typed too; the text format keeps key=value as it was" {
    run "$CONCDEMO" race --threads 30 --seed 5 --speed 2 --format jsonl
    jq -e -s 'map(select(.kind == "params"))[0].data
              | .threads == 30 and .seed == 5 and .speed == 2 and .steps == false and .workload == "count"' <<<"$output"
    run "$CONCDEMO" semaphore --speed 100
    grep -qE '^result: threads=22 permits=5 peak=[0-9]+ waves=[0-9]+ wave_sizes=[0-9]+(,[0-9]+)+ in_start_order=(yes|no) ' <<<"$output"
}

@test "the header record carries the schema's version, 1, and comes first (after --explain's)" {
    run "$CONCDEMO" race --threads 5 --format jsonl
    [ "$(head -1 <<<"$output" | jq -r '.kind + " " + (.schema | tostring)')" = "header 1" ]
    # no other record has it
    [ "$(jq -s 'map(select(has("schema"))) | length' <<<"$output")" -eq 1 ]
    run "$CONCDEMO" race --threads 5 --format jsonl --explain
    [ "$(jq -r -s '.[0].kind + " " + .[1].kind + " " + (.[1].schema | tostring)' <<<"$output")" = "explain header 1" ]
}
