
ByJ*wzxoU|gyuutWpf|Z4tuypJy€{Œu †nbSevx3jxƒq