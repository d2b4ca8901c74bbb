// The ONNX Runtime golden tests of package vision (see ortgen.mjs): cases
// the official node tests miss.
const X = (dims, type = 'float32', data = 'rand') => ({ name: 'X', type, dims, data });
const f32 = (name, v) => ({ name, type: 'float32', dims: [v.length], data: v, init: true });
const i64 = (name, v) => ({ name, type: 'int64', dims: [v.length], data: v, init: true });
const none = { name: '' };
const s = (v) => ({ s: v });
const f = (v) => ({ f: v });
const i = (v) => ({ i: v });

// resize(name, x, scales, sizes, attrs[, opset, roi])
function resize(name, x, scales, sizes, attrs, opset = 19, roi = null) {
  const inputs = [x, roi ? f32('roi', roi) : none, scales ? f32('scales', scales) : none];
  if (sizes) inputs.push(i64('sizes', sizes));
  return { name: `resize_${name}`, op: 'Resize', opset, attrs, inputs };
}

export const cases = [
  resize('linear_antialias_odd', X([1, 2, 7, 9]), null, [1, 2, 3, 4], { mode: s('linear'), antialias: i(1) }),
  resize('cubic_antialias_odd', X([1, 1, 9, 7]), [1, 1, 0.45, 0.6], null, { mode: s('cubic'), antialias: i(1) }),
  resize('linear_antialias_up_down', X([2, 3, 5, 8]), [1, 1, 1.6, 0.3], null, { mode: s('linear'), antialias: i(1) }),
  resize('linear_align_corners_1x1', X([1, 2, 1, 1]), [1, 1, 3, 4], null, { mode: s('linear'), coordinate_transformation_mode: s('align_corners') }),
  resize('cubic_align_corners_1x1', X([1, 1, 1, 1]), null, [1, 1, 2, 3], { mode: s('cubic'), coordinate_transformation_mode: s('align_corners') }),
  resize('nearest_x2', X([1, 3, 5, 7]), [1, 1, 2, 2], null, {}),
  resize('nearest_x3_asymmetric_floor', X([2, 2, 3, 4]), [1, 1, 3, 3], null, { coordinate_transformation_mode: s('asymmetric'), nearest_mode: s('floor') }),
  resize('nearest_round_prefer_ceil_odd', X([1, 2, 5, 7]), null, [1, 2, 8, 4], { nearest_mode: s('round_prefer_ceil') }),
  resize('linear_x2', X([1, 3, 5, 7]), [1, 1, 2, 2], null, { mode: s('linear') }),
  resize('linear_1_7', X([1, 2, 6, 5]), [1, 1, 1.7, 0.55], null, { mode: s('linear') }),
  resize('linear_align_corners_odd', X([1, 2, 5, 6]), null, [1, 2, 9, 4], { mode: s('linear'), coordinate_transformation_mode: s('align_corners') }),
  resize('cubic_exclude_asymmetric', X([1, 2, 6, 5]), [1, 1, 1.5, 2.2], null, { mode: s('cubic'), exclude_outside: i(1), coordinate_transformation_mode: s('asymmetric') }),
  resize('cubic_half_pixel', X([1, 1, 7, 6]), [1, 1, 2, 0.5], null, { mode: s('cubic') }),
  resize('tf_crop_nearest_extrapolate', X([1, 1, 5, 6]), null, [1, 1, 4, 5], { coordinate_transformation_mode: s('tf_crop_and_resize'), extrapolation_value: f(-7) }, 19, [0, 0, -0.2, 0.3, 1, 1, 0.9, 1.4]),
  resize('tf_crop_linear_extrapolate', X([1, 2, 5, 6]), null, [1, 2, 4, 7], { mode: s('linear'), coordinate_transformation_mode: s('tf_crop_and_resize'), extrapolation_value: f(3.5) }, 19, [0, 0, -0.3, -0.3, 1, 1, 0.8, 1.2]),
  resize('uint8_nearest', X([1, 2, 4, 5], 'uint8', 'bytes'), [1, 1, 2, 1.5], null, {}),
  resize('int32_nearest', X([1, 2, 3, 5], 'int32', 'bytes'), null, [1, 2, 7, 3], {}),
  resize('linear_5d', X([1, 2, 3, 4, 5]), [1, 1, 2, 1.5, 0.7], null, { mode: s('linear') }),
  resize('nearest_batch_and_height', X([2, 2, 3, 4]), [2, 1, 1.5, 1], null, {}),
  resize('linear_axes_not_smaller', X([1, 2, 4, 6]), null, [5, 7], { mode: s('linear'), axes: { ints: [3, 2] }, keep_aspect_ratio_policy: s('not_smaller') }),
  resize('cubic_pytorch_to_1', X([1, 1, 4, 5]), null, [1, 1, 1, 3], { mode: s('cubic'), coordinate_transformation_mode: s('pytorch_half_pixel') }),
  resize('linear_half_pixel_symmetric', X([1, 1, 5, 7]), [1, 1, 0.7, 1.3], null, { mode: s('linear'), coordinate_transformation_mode: s('half_pixel_symmetric') }),
  resize('nearest_2d', X([5, 6]), [1.6, 0.5], null, {}),
  resize('opset11_tf_half_pixel_for_nn', X([1, 1, 4, 5]), [1, 1, 1.5, 2], null, { coordinate_transformation_mode: s('tf_half_pixel_for_nn') }, 11, []),
  resize('opset11_sizes_linear', X([1, 2, 4, 5]), [], [1, 2, 7, 3], { mode: s('linear') }, 11, []),
  resize('opset13_cubic_sizes', X([1, 2, 4, 5]), null, [1, 2, 6, 8], { mode: s('cubic'), cubic_coeff_a: f(-0.5) }, 13),
  { name: 'resize_opset10_nearest_down', op: 'Resize', opset: 10, attrs: {}, inputs: [X([1, 2, 7, 9]), f32('scales', [1, 1, 0.5, 0.7])] },
  { name: 'resize_opset10_nearest_up', op: 'Resize', opset: 10, attrs: {}, inputs: [X([1, 2, 3, 4]), f32('scales', [1, 1, 2.5, 1.5])] },
  { name: 'resize_opset10_linear', op: 'Resize', opset: 10, attrs: { mode: s('linear') }, inputs: [X([1, 2, 4, 5]), f32('scales', [1, 1, 1.5, 0.6])] },
  { name: 'upsample_opset9_linear', op: 'Upsample', opset: 9, attrs: { mode: s('linear') }, inputs: [X([1, 2, 3, 4]), f32('scales', [1, 1, 2.5, 1.5])] },
  { name: 'upsample_opset9_nearest', op: 'Upsample', opset: 9, attrs: {}, inputs: [X([1, 2, 3, 4]), f32('scales', [1, 1, 1.5, 2.5])] },
  { name: 'upsample_opset7_nearest', op: 'Upsample', opset: 7, attrs: { scales: { floats: [1, 1, 2, 3] } }, inputs: [X([1, 2, 3, 4])] },
  { name: 'upsample_opset7_linear', op: 'Upsample', opset: 7, attrs: { mode: s('linear'), scales: { floats: [1, 1, 2, 2] } }, inputs: [X([1, 2, 3, 4])] },

  ...gridsample(),
  ...affinegrid(),
  ...roi(),
  ...nms(),
  ...col2im(),
];

// col2im is Col2Im with overlapping dilated blocks, strides and pads,
// 2-D and 3-D.
function col2im() {
  const c = (name, x, img, blk, attrs) => ({
    name: `col2im_${name}`, op: 'Col2Im', opset: 18, attrs,
    inputs: [{ name: 'input', type: 'float32', dims: x, data: 'rand' }, i64('image_shape', img), i64('block_shape', blk)],
  });
  return [
    c('overlap_dilated_padded', [2, 2 * 6, 16], [5, 7], [2, 3], { dilations: { ints: [2, 1] }, pads: { ints: [1, 0, 0, 2] }, strides: { ints: [1, 2] } }),
    c('3d', [1, 3 * 8, 30], [4, 5, 3], [2, 2, 2], { strides: { ints: [2, 1, 1] }, pads: { ints: [0, 0, 1, 0, 1, 0] } }),
  ];
}

// nms is NonMaxSuppression on random boxes in both formats, corners in
// either order, tied scores, thresholds and output limits.
function nms() {
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const boxes = (n, centers) => Array.from({ length: n }, () => {
    const [a, b] = [rnd() * 10, rnd() * 10];
    const [w, h] = [rnd() * 4, rnd() * 4];
    if (centers) return [a, b, w, h];
    return rnd() < 0.5 ? [b, a, b + h, a + w] : [b + h, a + w, b, a];
  }).flat();
  const scores = (n) => Array.from({ length: n }, () => Math.round(rnd() * 8) / 8);
  const out = [];
  const case_ = (name, opset, centers, b, c, s, maxOut, iou, score) => {
    const inputs = [
      { name: 'boxes', type: 'float32', dims: [b, s, 4], data: boxes(b * s, centers), init: true },
      { name: 'scores', type: 'float32', dims: [b, c, s], data: scores(b * c * s) },
      maxOut === null ? { name: '' } : { name: 'max_output_boxes_per_class', type: 'int64', dims: [1], data: [maxOut], init: true },
      iou === null ? { name: '' } : { name: 'iou_threshold', type: 'float32', dims: [1], data: [iou], init: true },
    ];
    if (score !== null) inputs.push({ name: 'score_threshold', type: 'float32', dims: [1], data: [score], init: true });
    out.push({ name: `nms_${name}`, op: 'NonMaxSuppression', opset, attrs: { center_point_box: i(centers ? 1 : 0) }, inputs, outputs: ['selected_indices'] });
  };
  case_('corners', 11, false, 2, 3, 40, 10, 0.3, null);
  case_('centers_score', 11, true, 2, 2, 40, 100, 0.5, 0.4);
  case_('opset10_limit', 10, false, 1, 4, 25, 3, 0.1, 0.2);
  case_('zero_iou', 11, true, 1, 2, 30, 50, 0, null);
  case_('no_iou_input', 11, false, 2, 1, 20, 5, null, null);
  return out;
}

// roi is RoiAlign at every version and mode, adaptive and fixed
// sampling, regions reaching past the map and smaller than a bin; and
// MaxRoiPool, which has no official node test (at the versions ONNX
// Runtime has: RoiAlign 10 and 16, MaxRoiPool 1).
function roi() {
  const out = [];
  const rois = [0, 0, 9, 7, 2.5, 1.2, 17.1, 13.6, -3, -2, 4, 5, 10, 8, 21, 19, 6.2, 6.2, 6.4, 6.9, 3, 4, 30, 3];
  const align = (name, opset, attrs, type = 'float32') => out.push({
    name: `roialign_${name}`, op: 'RoiAlign', opset, attrs,
    inputs: [X([2, 3, 8, 10], type), { name: 'rois', type, dims: [6, 4], data: rois, init: true },
      { name: 'batch_indices', type: 'int64', dims: [6], data: [0, 1, 1, 0, 1, 0], init: true }],
  });
  align('opset10_avg', 10, { output_height: i(3), output_width: i(4), spatial_scale: f(0.5) });
  align('opset10_max_sampling2', 10, { mode: s('max'), output_height: i(2), output_width: i(3), spatial_scale: f(0.5), sampling_ratio: i(2) });
  align('opset16_output_half_pixel', 16, { coordinate_transformation_mode: s('output_half_pixel'), output_height: i(3), output_width: i(2), spatial_scale: f(0.5) });
  align('opset16_half_pixel_max', 16, { mode: s('max'), output_height: i(4), output_width: i(3), spatial_scale: f(0.5) });
  align('sampling3', 16, { output_height: i(2), output_width: i(2), spatial_scale: f(0.6), sampling_ratio: i(3) });
  align('float64', 16, { output_height: i(3), output_width: i(3), spatial_scale: f(0.5) }, 'float64');
  const pool = (name, opset, attrs, type = 'float32') => out.push({
    name: `maxroipool_${name}`, op: 'MaxRoiPool', opset, attrs,
    inputs: [X([2, 3, 8, 10], type), { name: 'rois', type, dims: [6, 5], data: [0, 0, 0, 9, 7, 1, 2.5, 1.5, 17.1, 13.6, 1, -3, -2, 4, 5, 0, 10, 8, 21, 19, 1, 6.2, 6.2, 6.4, 6.9, 0, 3, 4, 30, 3], init: true }],
  });
  pool('scale_half', 1, { pooled_shape: { ints: [3, 4] }, spatial_scale: f(0.5) });
  pool('scale1', 1, { pooled_shape: { ints: [2, 3] } });
  return out;
}

// affinegrid is AffineGrid in 2-D and 3-D with odd and size-1 axes
// (size-1 axes without align_corners only: ONNX Runtime puts them at 1
// with it, the ONNX reference at -1).
function affinegrid() {
  const out = [];
  const a = (name, theta, size, align, type = 'float32') => out.push({
    name: `affinegrid_${name}`, op: 'AffineGrid', opset: 20, attrs: { align_corners: i(align) },
    inputs: [{ name: 'theta', type, dims: theta, data: 'rand' }, i64('size', size)],
    outputs: ['grid'],
  });
  for (const align of [0, 1]) {
    a(`2d_${align}`, [2, 2, 3], [2, 3, 5, 7], align);
    a(`3d_${align}`, [2, 3, 4], [2, 1, 3, 4, 5], align);
  }
  a('size1', [1, 2, 3], [1, 1, 1, 3], 0);
  a('3d_size1', [1, 3, 4], [1, 1, 1, 2, 1], 0);
  a('float64', [1, 2, 3], [1, 2, 4, 3], 0, 'float64');
  return out;
}

// gridsample is GridSample in every mode and padding, 2-D and 3-D,
// positions far outside the input (reflected several times), float64.
function gridsample() {
  const out = [];
  const g = (name, x, grid, attrs, opset = 22, type = 'float32') => out.push({
    name: `gridsample_${name}`, op: 'GridSample', opset, attrs,
    inputs: [X(x, type), { name: 'grid', type, dims: grid, data: 'rand4', init: true }],
  });
  for (const [mode, pad, align] of [['cubic', 'reflection', 0], ['cubic', 'reflection', 1], ['cubic', 'border', 1], ['cubic', 'zeros', 0],
    ['linear', 'reflection', 0], ['linear', 'border', 0], ['linear', 'zeros', 1], ['nearest', 'reflection', 1], ['nearest', 'zeros', 0], ['nearest', 'border', 0]]) {
    g(`${mode}_${pad}_${align}`, [2, 3, 5, 6], [2, 4, 7, 2], { mode: s(mode), padding_mode: s(pad), align_corners: i(align) });
  }
  g('linear_3d_border', [1, 2, 3, 4, 5], [1, 2, 3, 4, 3], { mode: s('linear'), padding_mode: s('border') });
  g('nearest_3d_reflection', [1, 2, 3, 4, 5], [1, 2, 3, 4, 3], { mode: s('nearest'), padding_mode: s('reflection'), align_corners: i(1) });
  g('linear_3d_zeros_align', [2, 1, 2, 3, 4], [2, 3, 2, 2, 3], { mode: s('linear'), align_corners: i(1) });
  g('opset16_bicubic_border', [1, 2, 4, 4], [1, 3, 5, 2], { mode: s('bicubic'), padding_mode: s('border') }, 16);
  g('opset16_default', [1, 2, 4, 5], [1, 3, 5, 2], {}, 16);
  g('float64_cubic', [1, 2, 4, 5], [1, 3, 3, 2], { mode: s('cubic'), padding_mode: s('reflection') }, 22, 'float64');
  g('one_pixel_reflection_align', [1, 1, 1, 3], [1, 2, 3, 2], { mode: s('linear'), padding_mode: s('reflection'), align_corners: i(1) });
  return out;
}
