# `cmake --install build --prefix P`: the CLI, the static libraries base, nav, datasets and model,
# their torch-free public headers under P/include/dreamwalk/, and a CMake package so another
# project can `find_package(dreamwalk)` and link dreamwalk::model, dreamwalk::nav, dreamwalk::datasets.
include(CMakePackageConfigHelpers)

set(_installed_libraries dreamwalk_base dreamwalk_nav dreamwalk_datasets dreamwalk_model_formats dreamwalk_model)
foreach(library ${_installed_libraries})
  string(REPLACE "dreamwalk_" "" _export_name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${_export_name})
endforeach()
install(TARGETS ${_installed_libraries} EXPORT dreamwalkTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS dreamwalk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers: every header of nav/, nav/base/ and datasets/, and model/'s torch-free ones. The
# model headers below include LibTorch and are internal; an installed user never sees them (the
# embedding example compiles every installed header without LibTorch's include path, so a torch
# include that slips into a public header fails CI).
set(_model_internal_headers checkpoint.h data_parallel.h decoder_warp.h denoiser.h dynamics.h
    frame_decoder.h gradient_sync.h imagination.h layers.h place_memory.h rank_group.h safetensors.h sequence.h
    tensor_io.h torch_simulator.h world_model.h)
foreach(module nav nav/base datasets model)
  file(GLOB _headers RELATIVE ${PROJECT_SOURCE_DIR}/${module} ${PROJECT_SOURCE_DIR}/${module}/*.h)
  if(module STREQUAL "model")
    list(REMOVE_ITEM _headers ${_model_internal_headers})
  endif()
  list(TRANSFORM _headers PREPEND ${PROJECT_SOURCE_DIR}/${module}/)
  install(FILES ${_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dreamwalk/${module})
endforeach()

set(_package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/dreamwalk)
install(EXPORT dreamwalkTargets NAMESPACE dreamwalk:: DESTINATION ${_package_dir})
set(DREAMWALK_BUILT_WITH_FFMPEG ${FFMPEG_FOUND})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dreamwalkConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dreamwalkConfig.cmake INSTALL_DESTINATION ${_package_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dreamwalkConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dreamwalkConfig.cmake ${PROJECT_BINARY_DIR}/dreamwalkConfigVersion.cmake
  DESTINATION ${_package_dir})
