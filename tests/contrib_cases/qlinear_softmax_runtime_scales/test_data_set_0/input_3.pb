BsyJ
ף;