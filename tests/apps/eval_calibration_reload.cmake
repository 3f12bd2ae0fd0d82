# morphfit-eval --calibrate on a small synthetic run writes a flag file; evaluating the same run
# with --flagfile must reproduce every decision (cases.csv holds verdict and reasons per case).
# Variables: EVAL (the binary), OUT (scratch folder), MODEL_DIR.
file(REMOVE_RECURSE ${OUT})
set(common --mode=synthetic --cases=12 --seed=7 --model_dir=${MODEL_DIR} --width=320 --height=320
    --corrupted_fraction=0.5)
execute_process(COMMAND ${EVAL} ${common} --calibrate --out=${OUT}/calibrate
                RESULT_VARIABLE result OUTPUT_VARIABLE report ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "calibration run failed (${result}): ${errors}")
endif()
if(NOT EXISTS ${OUT}/calibrate/quality.flags)
  message(FATAL_ERROR "no flag file written")
endif()
string(FIND "${report}" "=== calibrated rule" found)
if(found EQUAL -1)
  message(FATAL_ERROR "the report has no calibrated table:\n${report}")
endif()
execute_process(COMMAND ${EVAL} ${common} --flagfile=${OUT}/calibrate/quality.flags
                        --out=${OUT}/reload
                RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "reload run failed (${result}): ${errors}")
endif()
file(READ ${OUT}/calibrate/cases.csv calibrated)
file(READ ${OUT}/reload/cases.csv reloaded)
if(NOT calibrated STREQUAL reloaded)
  message(FATAL_ERROR "decisions differ after reloading the flag file:\n${calibrated}\n---\n${reloaded}")
endif()
string(REGEX MATCHALL ",(kept|rejected)," verdicts "${calibrated}")
list(LENGTH verdicts count)
if(NOT count EQUAL 12)
  message(FATAL_ERROR "expected 12 verdicts, found ${count}")
endif()
