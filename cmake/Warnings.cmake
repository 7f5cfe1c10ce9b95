# tradesim_warnings: the warning flags every tradesim target links against.
add_library(tradesim_warnings INTERFACE)
target_compile_options(tradesim_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(TRADESIM_WARNINGS_AS_ERRORS)
    target_compile_options(tradesim_warnings INTERFACE -Werror)
endif()
