# Runs pingyi-vectors and checks that it writes exactly the committed tests/vectors/pingyi-v1.json
# (the vectors are deterministic; any change to a byte of the protocol shows up here).
execute_process(COMMAND ${TOOL} --out ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pingyi-vectors failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${EXPECTED} RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "pingyi-vectors output differs from ${EXPECTED}: the protocol bytes changed. "
                      "If that is deliberate, regenerate with: pingyi-vectors --out ${EXPECTED}")
endif()
