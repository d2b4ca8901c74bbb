
ByJ™±q[wO