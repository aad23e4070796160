"""Respostas de referência das perguntas de resposta livre (correção manual).

``RESPOSTAS[grade_id]`` é o texto (pt-PT, Markdown) que o build põe entre
``### BEGIN SOLUTION`` / ``### END SOLUTION`` na célula de resposta com esse grade_id.
"""

RESPOSTAS = {
    # 02_quantizacao_pytorch
    "resposta_conv2d": """
A quantização dinâmica guarda os pesos em int8 de antemão, mas quantiza as **ativações** em
tempo de execução, a cada chamada, calculando a escala a partir da própria entrada. Numa
`nn.Linear` (ou LSTM/GRU) o custo está em carregar uma matriz de pesos grande para poucos
cálculos por peso, por isso passar os pesos a int8 poupa memória e largura de banda e o custo
de quantizar a ativação é pequeno. Numa convolução cada peso é reutilizado em muitas posições
e as ativações são grandes: quantizá-las dinamicamente em cada chamada custaria mais do que se
ganha, por isso o PyTorch simplesmente não tem uma versão dinâmica de `nn.Conv2d` e deixa-a em
float32 sem aviso (o conjunto `{nn.Linear, nn.Conv2d}` só tem efeito nas `Linear`).
Para quantizar também as convoluções é preciso quantização **estática** (com calibração das
ativações, como a PTQ int8 do caderno 01) ou QAT.
""",
    # 03_qat
    "resposta_ptq_ou_qat": """
Neste cenário escolheria **QAT**. A PTQ já foi experimentada e perdeu demasiada exatidão face
ao limite aceitável; o QAT simula a quantização int8 (fake quant) durante o treino, pelo que o
modelo aprende pesos e intervalos de ativação que toleram o arredondamento e recupera quase
toda a exatidão do modelo float. O custo é mais tempo de treino (algumas épocas extra) e
precisar dos dados de treino e do código de treino, que neste caso temos. Se não houvesse
dados de treino ou a perda da PTQ fosse aceitável, ficaria pela PTQ, que é mais simples e
rápida (só precisa de umas centenas de exemplos de calibração).
""",
}
