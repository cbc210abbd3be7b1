# `cmake --install`: the SDK as a package for other projects, usable through
# find_package(cocobase CONFIG) -> cocobase::sdk, or pkg-config (cocobase.pc).
#
# Everything the SDK needs is in the component `sdk` (`cmake --install BUILD --component sdk`
# needs only the SDK's libraries built); a plain install adds the `cocobase` binary, when built.
# scripts/check-consumer.sh checks the result from the outside.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(COCOBASE_MIN_BOOST_VERSION 1.81)  # as find_package(Boost) in the root CMakeLists.txt
set(COCOBASE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cocobase)

# The SDK's link closure, all static. Their exported names make the imported targets
# cocobase::sdk, cocobase::protocol, ... (the same names as the in-tree ALIAS targets).
set(COCOBASE_SDK_LIBRARIES cocobase_sdk cocobase_protocol cocobase_json_impl cocobase_asio_impl)
foreach(lib IN LISTS COCOBASE_SDK_LIBRARIES)
  string(REGEX REPLACE "^cocobase_" "" export_name ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

install(TARGETS ${COCOBASE_SDK_LIBRARIES} EXPORT cocobaseTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk)
# The SDK's public headers include the protocol's, so both are installed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/include/ ${PROJECT_SOURCE_DIR}/protocol/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT sdk
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT cocobaseTargets NAMESPACE cocobase::
  DESTINATION ${COCOBASE_CMAKE_DIR} COMPONENT sdk)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/cocobaseConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cocobaseConfig.cmake
  INSTALL_DESTINATION ${COCOBASE_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cocobaseConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cocobaseConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/cocobaseConfigVersion.cmake
  DESTINATION ${COCOBASE_CMAKE_DIR} COMPONENT sdk)

# pkg-config: the compile definitions are the ones cocobase::asio_impl propagates, read from the
# target so that the two cannot drift apart.
get_target_property(asio_definitions cocobase_asio_impl INTERFACE_COMPILE_DEFINITIONS)
list(TRANSFORM asio_definitions PREPEND "-D")
list(JOIN asio_definitions " " COCOBASE_PC_DEFINES)
set(COCOBASE_PC_EXTRA_INCLUDES "")
if(Boost_INCLUDE_DIRS AND NOT Boost_INCLUDE_DIRS STREQUAL "/usr/include")
  set(COCOBASE_PC_EXTRA_INCLUDES " -I${Boost_INCLUDE_DIRS}")
endif()
file(RELATIVE_PATH COCOBASE_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" COCOBASE_PC_TO_PREFIX "${COCOBASE_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/cocobase.pc.in ${CMAKE_CURRENT_BINARY_DIR}/cocobase.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cocobase.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)

# OPTIONAL: installing the SDK must not require the server to be built.
if(TARGET cocobase)
  install(TARGETS cocobase RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server OPTIONAL)
endif()
