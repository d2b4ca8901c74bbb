
BX1JФ═N&vH┘БEДлыw