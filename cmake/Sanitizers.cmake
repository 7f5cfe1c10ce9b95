# TRADESIM_SANITIZER=none | address,undefined | thread, applied to every target.
if(TRADESIM_SANITIZER STREQUAL "none" OR TRADESIM_SANITIZER STREQUAL "")
    return()
endif()
if(NOT TRADESIM_SANITIZER MATCHES "^(address,undefined|undefined,address|address|undefined|thread)$")
    message(FATAL_ERROR "TRADESIM_SANITIZER must be none, address,undefined or thread (got '${TRADESIM_SANITIZER}')")
endif()
add_compile_options(-fsanitize=${TRADESIM_SANITIZER} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=${TRADESIM_SANITIZER})
