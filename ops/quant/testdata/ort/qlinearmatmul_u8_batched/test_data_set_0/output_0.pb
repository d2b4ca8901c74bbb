
ByJ*±ld$v'\Ÿ„‚´cá‘lG||sng³jØÊ‘Èl.žWZ²5d™bbhŠ »